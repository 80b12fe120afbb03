"""Smoke tests for nnbook.plot: every helper draws what it should and returns Axes/Figure."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nncore import (
    LINE_CLASS_NAMES, History, Linear, make_blobs, make_lines, make_moons)
from nnbook.handtrace import example_231, hand_trace
from nnbook import plot


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_style_palette_and_context():
    assert len(plot.COLORS) == len(plot.MARKERS) == len(plot.LINESTYLES) == 7
    assert plot.OKABE_ITO["vermillion"] == "#D55E00"
    before = matplotlib.rcParams["font.size"]
    with plot.use_book_style():
        assert matplotlib.rcParams["figure.facecolor"] == "white"
        assert matplotlib.rcParams["font.size"] == 10
    assert matplotlib.rcParams["font.size"] == before


def test_image_grid():
    X, y = make_lines(8, 0.2, np.random.default_rng(0))
    fig = plot.image_grid(X, labels=y, class_names=LINE_CLASS_NAMES, ncols=4, annotate=True)
    assert isinstance(fig, Figure)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 8 and all(len(ax.images) == 1 for ax in axes)
    assert axes[0].get_title() == LINE_CLASS_NAMES[y[0]]
    assert len(axes[0].texts) == 9  # one value per pixel
    assert fig.get_size_inches()[0] <= plot.MAX_WIDTH
    fig = plot.image_grid(X[:5].reshape(5, 3, 3), titles=list("abcde"), ncols=3)
    assert sum(ax.get_visible() for ax in fig.axes) == 5 and len(fig.axes) == 6
    assert plot.image_grid(X[:2], labels=[0, 1]).axes[1].get_title() == "label 1"


def test_image_grid_bad_input():
    with pytest.raises(ValueError, match=r"X has shape \(2, 8\); expected \(n, 9\)"):
        plot.image_grid(np.zeros((2, 8)))
    with pytest.raises(ValueError, match=r"labels has shape \(3,\); expected \(2,\)"):
        plot.image_grid(np.zeros((2, 9)), labels=[0, 1, 1])
    with pytest.raises(ValueError, match="3 titles for 2 images"):
        plot.image_grid(np.zeros((2, 9)), titles=["a", "b", "c"])
    with pytest.raises(ValueError, match="holds no images"):
        plot.image_grid(np.zeros((0, 9)))
    with pytest.raises(ValueError, match="must be 2-D or 3-D"):
        plot.image_grid(np.zeros(9))


def test_decision_boundary_probabilities_labels_and_scores():
    X, y = make_moons(60, 0.1, np.random.default_rng(0))
    ax = plot.decision_boundary(lambda P: 1 / (1 + np.exp(-P[:, 0])), X, y, resolution=30)
    assert isinstance(ax, Axes)
    assert len(ax.collections) >= 4  # filled contours, the 0.5 line, 2 scatter sets
    handles, names = ax.get_legend_handles_labels()
    assert names == ["class 0", "class 1"]
    Xb, yb = make_blobs(60, 0.3, np.random.default_rng(1))
    ax = plot.decision_boundary(lambda P: (P[:, 0] > 0).astype(int), Xb, yb, resolution=20,
                                class_names=["a", "b", "c"])
    assert ax.get_legend_handles_labels()[1] == ["a", "b", "c"]
    fig, ax0 = plt.subplots()
    assert plot.decision_boundary(lambda P: P @ np.ones((2, 3)), Xb, yb, ax=ax0, resolution=20) is ax0


def test_decision_boundary_bad_input():
    X, y = make_moons(10, 0.1, np.random.default_rng(0))
    with pytest.raises(TypeError, match="predict_fn must be callable"):
        plot.decision_boundary(None, X, y)
    with pytest.raises(ValueError, match=r"X has shape \(10, 3\); expected \(N, 2\)"):
        plot.decision_boundary(lambda P: P[:, 0], np.zeros((10, 3)), y)
    with pytest.raises(ValueError, match=r"y has shape \(9,\); expected \(10,\)"):
        plot.decision_boundary(lambda P: P[:, 0], X, y[:9])
    with pytest.raises(ValueError, match="not logits"):
        plot.decision_boundary(lambda P: 5 * P[:, 0] + 0.1, X, y, resolution=10)
    with pytest.raises(ValueError, match=r"returned shape \(3,\) for 100 points"):
        plot.decision_boundary(lambda P: np.zeros(3), X, y, resolution=10)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot.decision_boundary(lambda P: P[:, 0] > 0, X, y, ax="left", resolution=10)


def test_loss_curves():
    h = History(("train_loss", "val_loss", "train_acc", "val_acc"))
    for e, (a, b) in enumerate([(1.0, 1.1), (0.5, 0.7), (0.3, 0.6)], start=1):
        h.history["epoch"].append(e)
        h.history["train_loss"].append(a)
        h.history["val_loss"].append(b)
        h.history["train_acc"].append(1 - a / 2)
        h.history["val_acc"].append(1 - b / 2)
    fig = plot.loss_curves(h)
    assert len(fig.axes) == 2
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    assert fig.axes[0].lines[1].get_linestyle() == "--"  # validation dashed, not only coloured
    fig = plot.loss_curves({"train_loss": [3.0, 2.0, 1.0]})
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1
    with pytest.raises(TypeError, match="'train_loss' list"):
        plot.loss_curves([1, 2, 3])


def test_confusion_matrix_plot():
    ax = plot.confusion_matrix([[3, 1], [2, 2]], ["horizontal", "vertical"])
    assert [t.get_text() for t in ax.texts] == ["3", "1", "2", "2"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    ax = plot.confusion_matrix([[3, 1], [2, 2]], normalize=True)
    assert [t.get_text() for t in ax.texts] == ["0.75", "0.25", "0.50", "0.50"]
    with pytest.raises(ValueError, match=r"cm has shape \(2, 3\); expected square"):
        plot.confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="1 labels for 2 classes"):
        plot.confusion_matrix(np.zeros((2, 2)), ["a"])


def test_activation_plots():
    ax = plot.activation_with_derivative("relu")
    assert isinstance(ax, Axes) and len(ax.lines) == 4  # 2 axis lines + f + f'
    assert ax.lines[3].get_linestyle() == "--"
    ax = plot.activation_with_derivative((np.sin, np.cos, "sine"), x_range=(0, 3))
    assert ax.get_title() == "sine"
    fig = plot.activations_grid()
    assert sum(ax.get_visible() for ax in fig.axes) == 6
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        plot.activation_with_derivative("swish")
    with pytest.raises(TypeError, match="pair \\(f, f_prime\\)"):
        plot.activation_with_derivative((np.sin,))
    with pytest.raises(ValueError, match="low < high"):
        plot.activation_with_derivative("tanh", x_range=(1, -1))
    with pytest.raises(ValueError, match="names is empty"):
        plot.activations_grid([])


def test_network_diagram():
    ax = plot.network_diagram([2, 3, 1])
    assert len(ax.patches) == 6 and len(ax.lines) == 2 * 3 + 3 * 1  # nodes, edges
    ex = example_231()
    t = hand_trace(**ex)
    ax = plot.network_diagram([ex["W1"], ex["W2"]],
                              node_values=[t.value("x"), t.value("h"), t.value("y_hat")])
    texts = [tx.get_text() for tx in ax.texts]
    assert len(texts) == 9 + 6  # 9 weight labels + 6 node labels
    assert "-0.25" in texts and any(tx.endswith("\n0") for tx in texts)  # h3 = 0
    negative = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert len(negative) == int((ex["W1"] < 0).sum() + (ex["W2"] < 0).sum())
    ax = plot.network_diagram([ex["W1"], ex["W2"]], show_weights=False)
    assert len(ax.texts) == 6
    # A zero weight (e.g. the gradient ReLU blocks) is drawn grey and dotted,
    # neither as a positive nor as a negative edge.
    dW1 = t.value("dW1")  # third column is exactly 0
    ax = plot.network_diagram([dW1, t.value("dW2")])
    dotted = [ln for ln in ax.lines if ln.get_linestyle() == ":"]
    assert len(dotted) == int((dW1 == 0).sum() + (t.value("dW2") == 0).sum()) > 0
    # The hidden nodes can be named z (their weighted sums), e.g. for gradients.
    ax = plot.network_diagram([dW1, t.value("dW2")], hidden="z", show_weights=False)
    names = [tx.get_text() for tx in ax.texts]
    assert sum("z^{(1)}" in n for n in names) == 3 and not any("h^{" in n for n in names)


def test_network_diagram_bad_input():
    with pytest.raises(ValueError, match="at least two layers"):
        plot.network_diagram([3])
    with pytest.raises(ValueError, match="list of widths"):
        plot.network_diagram("2-3-1")
    with pytest.raises(ValueError, match=r"weights\[1\] has shape \(2, 1\) but weights\[0\] has shape \(2, 3\)"):
        plot.network_diagram([np.zeros((2, 3)), np.zeros((2, 1))])
    with pytest.raises(ValueError, match="node_values has 2 arrays for 3 layers"):
        plot.network_diagram([2, 3, 1], node_values=[[1, 2], [1, 2, 3]])
    with pytest.raises(ValueError, match=r"layers\[1\] must be >= 1"):
        plot.network_diagram([2, 0, 1])
    with pytest.raises(ValueError, match="network_diagram: hidden"):
        plot.network_diagram([2, 3, 1], hidden="q")


def test_optimizer_paths():
    f = lambda a, b: a ** 2 + 10 * b ** 2  # noqa: E731
    T = np.array([[-4.0, 2.0]]) * 0.8 ** np.arange(20)[:, None]
    ax = plot.optimizer_paths(f, {"SGD": T, "Adam": T * [1.0, 0.5]}, levels=10, resolution=40)
    assert ax.get_legend_handles_labels()[1] == ["SGD", "Adam", "start"]
    assert ax.lines[0].get_linestyle() != ax.lines[2].get_linestyle()
    with pytest.raises(ValueError, match="non-empty dict"):
        plot.optimizer_paths(f, {})
    with pytest.raises(ValueError, match=r"paths\['SGD'\] has shape \(5, 3\); expected \(T, 2\)"):
        plot.optimizer_paths(f, {"SGD": np.zeros((5, 3))})
    with pytest.raises(ValueError, match=r"returned shape \(\); expected \(40, 40\)"):
        plot.optimizer_paths(lambda a, b: 1.0, {"SGD": T}, resolution=40)
    with pytest.raises(TypeError, match="f must be callable"):
        plot.optimizer_paths(None, {"SGD": T})


def test_weight_images_plot():
    layer = Linear(9, 4, rng=np.random.default_rng(0))
    fig = plot.weight_images(layer, annotate=True)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 4 and len(panels[0].texts) == 9
    assert len(fig.axes) == 5  # 4 panels + colour bar
    lo, hi = panels[0].images[0].get_clim()
    assert lo == pytest.approx(-hi)  # symmetric around 0: white means 0
    with pytest.raises(ValueError, match="expected \\(9, D_out\\)"):
        plot.weight_images(np.zeros((4, 2)))


def _weight_label_boxes(ax):
    """Display-space boxes of the weight labels (the texts without a node name)."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [tx.get_window_extent(renderer) for tx in ax.texts if "$" not in tx.get_text()]


@pytest.mark.parametrize("figsize, n_rows", [((6.5, 3.6), 1), ((6.5, 6.4), 2)])
def test_network_diagram_weight_labels_readable(figsize, n_rows):
    # Every weight label lies inside the axes, overlaps no other label and no
    # other edge, and sits on its own edge in the half nearer the source node,
    # so a reader can tell which weight belongs to which edge.
    ex = example_231()
    fig, axes = plt.subplots(n_rows, 1, figsize=figsize, squeeze=False)  # as in backpropagation
    ax = plot.network_diagram([ex["W1"], ex["W2"]], ax=axes[0, 0],
                              node_values=[ex["x"], [1.5, 0.5, 0.0], [0.5]])
    boxes = _weight_label_boxes(ax)
    assert len(boxes) == 9
    inside = ax.get_window_extent()
    for box in boxes:
        assert inside.x0 <= box.x0 and box.x1 <= inside.x1
        assert inside.y0 <= box.y0 and box.y1 <= inside.y1
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            assert not boxes[a].overlaps(boxes[b]), (a, b)
    edges = [ln.get_xydata() for ln in ax.lines]  # in drawing order, one per weight
    assert len(edges) == 9
    to_px = ax.transData.transform
    for k, box in enumerate(boxes):
        for m, seg in enumerate(edges):
            pts = to_px(np.linspace(seg[0], seg[1], 200))
            hits = (box.x0 < pts[:, 0]) & (pts[:, 0] < box.x1) & \
                   (box.y0 < pts[:, 1]) & (pts[:, 1] < box.y1)
            assert hits.any() == (m == k), (k, m)  # crosses its own edge only
        (x0, y0), (x1, y1) = to_px(edges[k])
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        assert np.hypot(cx - x0, cy - y0) < np.hypot(cx - x1, cy - y1)  # nearer the source
